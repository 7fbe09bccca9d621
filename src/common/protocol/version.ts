// Identity and version of the panel⇄host message protocol.
//
// Every message carries both. A message with another `protocol` is not ours; a message with another
// `version` comes from a panel or host built from a different release (e.g. a stale webview cache) and
// is answered with a `version_mismatch` error instead of being guessed at.

export const PROTOCOL_NAME = "infill" as const;
/** Bump on any incompatible change to a message's shape or meaning. Additive optional fields do not bump it. */
export const PROTOCOL_VERSION = 1 as const;

/** Upper bound for one serialized message. Pixels never cross the bridge; thumbnails are small JPEGs. */
export const MAX_MESSAGE_CHARS = 2_000_000;
