/**
 * Whether a port is free on this machine, asked the only reliable way: by binding it. A dev
 * server may listen on IPv4 or IPv6 loopback (Node's `localhost` picks either), so both are
 * tried; where the machine has no IPv6, the IPv4 answer stands alone.
 */
import net from "node:net";

export async function isPortFree(port: number): Promise<boolean> {
  if ((await tryBind(port, "127.0.0.1")) !== "bound") return false;
  return (await tryBind(port, "::1")) !== "in-use";
}

type BindOutcome = "bound" | "in-use" | "no-such-address";

function tryBind(port: number, host: string): Promise<BindOutcome> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", (error: NodeJS.ErrnoException) => {
      // No ::1 on this machine (IPv6 disabled): that address cannot clash with anything.
      const missing = error.code === "EADDRNOTAVAIL" || error.code === "EAFNOSUPPORT";
      resolve(missing ? "no-such-address" : "in-use");
    });
    // exclusive: in a cluster worker, do not share the primary's handle, really bind.
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve("bound"));
    });
  });
}
