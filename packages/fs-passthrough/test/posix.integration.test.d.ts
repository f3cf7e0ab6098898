export {};
//# sourceMappingURL=posix.integration.test.d.ts.map