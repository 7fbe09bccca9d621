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
  // Pixel loops call Math per sample. Inside Jest's vm sandbox every global lookup goes through the
  // context's interceptor, about 100 times slower than in Node, UXP or a browser; Math is handed to
  // each module directly so the code runs at the speed it has in the product.
  sandboxInjectedGlobals: ["Math"],
};
