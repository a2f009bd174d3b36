import { test } from '@japa/runner'
test('smoke', ({ assert }) => { assert.isTrue(true) })
