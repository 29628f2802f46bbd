// The load test's HTTP client, in a process of its own (the server is the test's): autocannon against one URL, then
// one JSON line with autocannon's result and the CPU seconds this process used, so the report can say how the two
// processes shared the machine. Usage: node test/load/api-client.mjs <url> <connections> <seconds>
import autocannon from 'autocannon';

const [url, connections, seconds] = process.argv.slice(2);
const started = process.cpuUsage();
const result = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  headers: { 'accept-encoding': 'gzip, deflate, br' },
});
const cpu = process.cpuUsage(started);
process.stdout.write(`${JSON.stringify({ result, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
