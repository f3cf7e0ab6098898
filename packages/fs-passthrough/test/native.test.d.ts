export {};
//# sourceMappingURL=native.test.d.ts.map