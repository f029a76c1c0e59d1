import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from './model.ts';
import { escapeXml, escapeXmlAttribute, isoTimestamp, structureXml } from './xml-output.ts';

const iam = loadModel('iam-2010-05-08');

test('lists as <member> elements, timestamps in ISO 8601, booleans as text, unknown members dropped', () => {
  const xml = structureXml(iam, 'ListUsersResponse', {
    Users: [{ Path: '/', UserName: 'alice', UserId: 'AIDAEXAMPLE', Arn: 'arn:aws:iam::111122223333:user/alice', CreateDate: new Date('2026-11-24T10:00:00Z'), Secret: 'never' }],
    IsTruncated: false,
    Marker: undefined,
  });
  assert.equal(xml,
    '<Users><member><Path>/</Path><UserName>alice</UserName><UserId>AIDAEXAMPLE</UserId>'
    + '<Arn>arn:aws:iam::111122223333:user/alice</Arn><CreateDate>2026-11-24T10:00:00Z</CreateDate></member></Users>'
    + '<IsTruncated>false</IsTruncated>');
});

test('an empty list is an empty element', () => {
  assert.equal(structureXml(iam, 'ListUsersResponse', { Users: [] }), '<Users></Users>');
});

test('maps as <entry><key/><value/></entry>, numbers as text', () => {
  assert.equal(structureXml(iam, 'GetAccountSummaryResponse', { SummaryMap: { Users: 3, Groups: 0 } }),
    '<SummaryMap><entry><key>Users</key><value>3</value></entry><entry><key>Groups</key><value>0</value></entry></SummaryMap>');
});

test('text is escaped, carriage returns kept; quotes only in attributes', () => {
  assert.equal(escapeXml(`a<b>&"c"'\r\n`), `a&lt;b&gt;&amp;"c"'&#13;\n`);
  assert.equal(escapeXmlAttribute('a"b&'), 'a&quot;b&amp;');
  assert.equal(structureXml(iam, 'GetUserResponse', { User: { UserName: '<x&y>' } }), '<User><UserName>&lt;x&amp;y&gt;</UserName></User>');
});

test('milliseconds are written only when there are some', () => {
  assert.equal(isoTimestamp(new Date('2026-01-02T03:04:05.000Z')), '2026-01-02T03:04:05Z');
  assert.equal(isoTimestamp(new Date('2026-01-02T03:04:05.678Z')), '2026-01-02T03:04:05.678Z');
});
