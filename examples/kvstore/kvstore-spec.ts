// kvstore.yaml written as a TypeScript object, for defineFamily(): the same
// YNL keys and nesting. `as const` is not needed (defineFamily infers the
// operation names), `satisfies YnlSpec` checks the shape here.
import type { YnlSpec } from '../../src/families/custom/index.js';

export const kvstoreSpec = {
  name: 'kvstore',
  protocol: 'netlink-raw',
  protonum: 2,
  doc: 'Keys (strings) mapped to values (bytes), with a change notification.',
  definitions: [{ name: 'change', type: 'enum', doc: 'What happened to a key.', entries: ['put', 'delete'] }],
  'attribute-sets': [
    {
      name: 'entry',
      'name-prefix': 'kvstore-a-',
      attributes: [
        { name: 'key', type: 'string', doc: 'The key (UTF-8).' },
        { name: 'value', type: 'binary', doc: 'The value. The server may limit its length (ERANGE).' },
        { name: 'change', type: 'u8', enum: 'change', doc: 'In notifications, what happened to the key.' },
      ],
    },
  ],
  operations: {
    'name-prefix': 'kvstore-msg-',
    list: [
      { name: 'put', doc: 'Sets a key to a value.', value: 16, 'attribute-set': 'entry', do: { request: { attributes: ['key', 'value'] } } },
      {
        name: 'get',
        doc: 'Reads a key; ENOENT when it is not there.',
        'attribute-set': 'entry',
        do: { request: { attributes: ['key'] }, reply: { attributes: ['key', 'value'] } },
      },
      { name: 'delete', doc: 'Removes a key; ENOENT when it is not there.', 'attribute-set': 'entry', do: { request: { attributes: ['key'] } } },
      { name: 'list', doc: 'Every entry, in key order.', 'attribute-set': 'entry', dump: { reply: { attributes: ['key', 'value'] } } },
      {
        name: 'change-ntf',
        doc: 'Sent to the changes group when a key is put or deleted.',
        'attribute-set': 'entry',
        event: { attributes: ['change', 'key', 'value'] },
        mcgrp: 'changes',
      },
    ],
  },
  'mcast-groups': { list: [{ name: 'changes', value: 1 }] },
} as const satisfies YnlSpec;
