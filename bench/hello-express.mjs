// The ceiling for the HTTP benchmarks: Express 5 answering a constant JSON body.
import express from "express";

const app = express();
app.get("/", (_req, res) => res.json({ hello: "world" }));
const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address();
  console.log(JSON.stringify({ msg: "hello listening", url: `http://127.0.0.1:${port}` }));
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
