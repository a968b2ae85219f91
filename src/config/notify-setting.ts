/**
 * The `notify` setting's shape: a command (argv, never a shell) that gets the JSON payload on
 * stdin, and/or a webhook URL that gets it by POST, at the run's end (and, if asked, per failure).
 */
import { z } from "zod";
import { argv } from "./agent-setting.js";

export const NotifySettingSchema = z
  .strictObject({
    command: argv.optional(),
    webhook: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).optional(),
    onTaskFailed: z.boolean().optional(),
  })
  .refine((notify) => notify.command !== undefined || notify.webhook !== undefined, {
    message: 'give "command" (an argv array), "webhook" (a URL), or both',
  });
export type NotifySetting = z.infer<typeof NotifySettingSchema>;
