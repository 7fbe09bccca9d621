export { encodeJpegRGBA, scaledQuant, type JpegEncodeOptions } from "./encoder";
export { decodeJpegRGBA, UnsupportedJpeg, type DecodedJpeg, type Region, type RegionSpec } from "./decoder";
