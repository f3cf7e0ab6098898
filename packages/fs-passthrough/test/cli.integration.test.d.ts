export {};
//# sourceMappingURL=cli.integration.test.d.ts.map