import type { Server } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

/**
 * The standard grpc.health.v1.Health service: the server ('') and each named service report
 * SERVING while the server runs and NOT_SERVING once it is stopping.
 */
export function addHealth(server: Server, serviceNames: readonly string[]): { stopping(): void } {
  const names = ['', ...serviceNames];
  const health = new HealthImplementation(Object.fromEntries(names.map((name) => [name, 'SERVING' as const])));
  health.addToServer(server);
  return {
    stopping: () => {
      for (const name of names) health.setStatus(name, 'NOT_SERVING');
    },
  };
}

export const HEALTH_SERVICE = 'grpc.health.v1.Health';
