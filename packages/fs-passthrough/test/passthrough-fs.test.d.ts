export {};
//# sourceMappingURL=passthrough-fs.test.d.ts.map