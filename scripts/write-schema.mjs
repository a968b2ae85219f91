// Writes settings.schema.json from the settings table, so editors complete and explain
// .lanes/settings.json ($schema): the zod schema's types, with each entry's help and default.
import { writeFileSync } from "node:fs";
import { z } from "zod";
import { SettingsFileSchema } from "../dist/config/schema.js";
import { SETTING_KEYS, SETTINGS } from "../dist/config/table.js";

const schema = z.toJSONSchema(SettingsFileSchema, { io: "input", unrepresentable: "any" });
schema.title = "lanes settings (.lanes/settings.json)";
for (const key of SETTING_KEYS) {
  const entry = SETTINGS[key];
  schema.properties[key] = {
    description: `${entry.help} (env ${entry.env})`,
    ...(entry.default !== undefined ? { default: entry.default } : {}),
    ...schema.properties[key],
  };
}
writeFileSync(
  new URL("../settings.schema.json", import.meta.url),
  `${JSON.stringify(schema, null, 2)}\n`,
);
