// Writes settings.schema.json from the zod schema, so editors complete .lanes/settings.json ($schema).
import { writeFileSync } from "node:fs";
import { z } from "zod";
import { SettingsFileSchema } from "../dist/config/schema.js";

const schema = z.toJSONSchema(SettingsFileSchema, { io: "input", unrepresentable: "any" });
schema.title = "lanes settings (.lanes/settings.json)";
writeFileSync(
  new URL("../settings.schema.json", import.meta.url),
  `${JSON.stringify(schema, null, 2)}\n`,
);
