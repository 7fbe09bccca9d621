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
    "^.+\\.tsx?$": ["ts-jest", { tsconfig: { jsx: "react-jsx", module: "commonjs", esModuleInterop: true, target: "ES2020", isolatedModules: true } }],
  },
  testTimeout: 60000,
};
