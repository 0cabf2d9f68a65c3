#!/usr/bin/env node
// Placeholder until the CLI lands in this same commit series.
console.log('backpack-lighter-arb: under construction');
