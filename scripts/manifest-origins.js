// Adds team broker origins (INFILL_BROKER_ORIGINS, comma-separated full origins) to the built manifest's
// network permission. Used by webpack.config.js when it copies manifest.json into dist/plugin.
function parseOrigins(value) {
  if (!value) return [];
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      let u;
      try {
        u = new URL(s);
      } catch {
        throw new Error(`INFILL_BROKER_ORIGINS: "${s}" is not a full origin such as https://broker.example:8765`);
      }
      if (!/^https?:$/.test(u.protocol) || u.pathname !== "/" || u.search || u.hash) {
        throw new Error(`INFILL_BROKER_ORIGINS: "${s}" must be a bare http(s) origin with no path`);
      }
      return u.origin;
    });
}

function manifestForBuild(buf, env) {
  const manifest = JSON.parse(buf.toString("utf8"));
  const extra = parseOrigins(env.INFILL_BROKER_ORIGINS);
  const domains = manifest.requiredPermissions.network.domains;
  for (const o of extra) if (!domains.includes(o)) domains.push(o);
  return JSON.stringify(manifest, null, 2) + "\n";
}

module.exports = { manifestForBuild, parseOrigins };
