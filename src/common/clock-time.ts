// A moment as a time of day on the local clock, 24-hour ("09:05", "21:15"): how waits that end at
// a known time are worded for the artist.

export function clockTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}
