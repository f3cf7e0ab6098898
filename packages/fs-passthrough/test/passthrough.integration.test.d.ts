export {};
//# sourceMappingURL=passthrough.integration.test.d.ts.map