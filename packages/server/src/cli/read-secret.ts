/**
 * Reads a secret (a password) from stdin, never from argv where `ps` and shell history would show
 * it. Piped: the first line of stdin (`printf '%s\n' "$PW" | btpay user create ...`). A terminal:
 * a prompt on stderr and no echo while typing.
 */
export async function readSecret(prompt: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (input.isTTY && typeof input.setRawMode === "function") return readFromTerminal(prompt, input);
  let text = "";
  input.setEncoding("utf8");
  for await (const chunk of input) {
    text += chunk as string;
    const end = text.search(/\r?\n/);
    if (end >= 0) {
      input.destroy();
      return text.slice(0, end);
    }
    if (text.length > 64 * 1024) break;
  }
  return text;
}

function readFromTerminal(prompt: string, input: NodeJS.ReadStream): Promise<string> {
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.setEncoding("utf8");
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (err?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return done();
        if (ch === "\u0003") return done(new Error("cancelled"));
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on("data", onData);
  });
}
