/** Jest runs the TypeScript sources directly. `photoshop` and `uxp` resolve to recording fakes. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts", "**/*.test.tsx"],
  moduleNameMapper: {
    "^photoshop$": "<rootDir>/test/fakes/photoshop.ts",
    "^uxp$": "<rootDir>/test/fakes/uxp.ts",
  },
  transform: {
    "^.+\\.tsx?$": ["ts-jest", { isolatedModules: true, tsconfig: { jsx: "react-jsx", module: "commonjs", esModuleInterop: true, target: "ES2020" } }],
  },
  testTimeout: 60000,
};
