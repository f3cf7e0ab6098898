export {};
//# sourceMappingURL=workloads.integration.test.d.ts.map