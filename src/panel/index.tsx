// Panel UI entry (placeholder until the panel lands).
export {};
