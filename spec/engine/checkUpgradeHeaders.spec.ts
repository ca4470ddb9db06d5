import { checkUpgradeHeaders } from '../../lib/engine/checkUpgradeHeaders';

describe('checkUpgradeHeaders', () => {
  const ok = { connection: 'keep-alive, Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'k' };
  it('accepts a version 13 upgrade and answers with upstream texts otherwise', () => {
    expect(checkUpgradeHeaders(ok)).toBeUndefined();
    expect(checkUpgradeHeaders({ ...ok, connection: 'close' })).toBe("Connection header did not include 'upgrade'");
    expect(checkUpgradeHeaders({ ...ok, upgrade: 'h2c' })).toBe("`Upgrade` header did not include 'websocket'");
    expect(checkUpgradeHeaders({ ...ok, 'sec-websocket-version': '8' })).toBe("`Sec-WebSocket-Version` header did not include '13'");
    expect(checkUpgradeHeaders({ ...ok, 'sec-websocket-key': undefined })).toBe('`Sec-WebSocket-Key` header missing');
  });
});
