// Preloaded (NODE_OPTIONS=--import=…) into a coffer command by tests that bound its memory:
// prints the process's peak resident set size on stderr as it exits.
process.on('exit', () => {
  process.stderr.write(`\nmax-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
