// Byte order of the platform's typed-array words, for code that reads or writes 8-bit channels four at a time.

/** Whether 32-bit words hold their bytes lowest first (all Photoshop hosts and browsers). */
export const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
