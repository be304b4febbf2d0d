/**
 * AWS Cost and Usage Report column names, both generations made one: the legacy CUR writes
 * `lineItem/UsageAccountId`, CUR 2.0 (Data Exports) `line_item_usage_account_id`. Every
 * legacy name is turned into its CUR 2.0 spelling (category and name, camelCase to snake_case),
 * except resource tags, which keep their key: `resourceTags/user:Name` → `resource_tags/user:Name`.
 */
export function curColumn(name: string): string {
  const slash = name.indexOf('/');
  if (slash === -1) return name;
  const category = snake(name.slice(0, slash));
  const rest = name.slice(slash + 1);
  return category === 'resource_tags' || category === 'cost_category' ? `${category}/${rest}` : `${category}_${snake(rest)}`;
}

function snake(camel: string): string {
  return camel
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
