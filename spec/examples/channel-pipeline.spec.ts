import { channelPipeline } from '../../examples/channel-pipeline';

describe('examples/channel-pipeline', () => {
  it('streams bytes from one worker to another and both sides compute the same sha256', async () => {
    const { bytes, sent, received } = await channelPipeline(4);
    expect(bytes).toBe(4 * 1024 * 1024);
    expect(sent).toMatch(/^[0-9a-f]{64}$/);
    expect(received).toBe(sent);
  });
});
