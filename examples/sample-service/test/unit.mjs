// Unit test of the service's logic; plain node:assert so that it runs without installing anything.
import assert from 'node:assert/strict';
import { greeting } from '../src/greeting.mjs';

assert.equal(greeting('Ada'), 'Hello, Ada!');
assert.equal(greeting('  Ada  '), 'Hello, Ada!');
assert.equal(greeting(''), 'Hello, world!');
assert.equal(greeting(null), 'Hello, world!');
console.log('unit: 4 assertions passed');
