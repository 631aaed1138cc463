import { describeImporterFuzz } from './support/importerProperties.ts';
import { captureMutation } from './support/mutateCapture.ts';
import { okxSeed } from './support/seedFiles.ts';

// Instruments (ctVal of the linear BTC-USDT-SWAP) and websocket tickers, trades and checksummed books in one capture.
const okx = okxSeed();
describeImporterFuzz({ title: 'cryptofeed OKX instruments and v5 websocket capture', fileName: 'OKX.ws.1.0', format: 'cryptofeed', seed: Buffer.from(okx), mutation: captureMutation('OKX.ws.1.0', okx) });
