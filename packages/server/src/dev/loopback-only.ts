import type { NextFunction, Request, Response } from "express";

/**
 * Dev-only routes hand out the API key and move money on devchain, so they answer only this
 * machine. Two checks: the peer is loopback (or this host's own address, when HOST is a LAN
 * interface), and the Host header names a local host, which stops a web page from reaching them
 * through DNS rebinding (a public name that resolves to 127.0.0.1 passes the first check).
 */
export function loopbackOnly(req: Request, res: Response, next: NextFunction): void {
  const remote = req.socket.remoteAddress ?? "";
  const local = isLoopback(remote) || remote === req.socket.localAddress;
  if (!local || !isLocalHostHeader(req.headers.host, req.socket.localAddress)) {
    res.status(403).json({ error: "dev routes answer only requests from this machine (loopback)" });
    return;
  }
  next();
}

export function isLoopback(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

function isLocalHostHeader(host: string | undefined, localAddress: string | undefined): boolean {
  if (!host) return false;
  // "[::1]:5000" -> "::1", "localhost:5000" -> "localhost"
  const name = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d+$/, "");
  if (name === "localhost" || name.endsWith(".localhost") || isLoopback(name)) return true;
  const own = localAddress?.startsWith("::ffff:") ? localAddress.slice(7) : localAddress;
  return name === own;
}
