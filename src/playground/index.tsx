// Playground entry (placeholder until the playground lands).
export {};
