// UXP host entry (placeholder until the Photoshop integration lands).
export {};
