import { describeImporterFuzz } from './support/importerProperties.ts';
import { captureMutation } from './support/mutateCapture.ts';
import { binanceDepthSeed, ftxSeed } from './support/seedFiles.ts';

const ftx = ftxSeed();
describeImporterFuzz({ title: 'cryptofeed FTX /api/markets capture', fileName: 'FTX.0', format: 'cryptofeed', seed: Buffer.from(ftx), mutation: captureMutation('FTX.0', ftx) });

const binance = binanceDepthSeed();
describeImporterFuzz({
  title: 'cryptofeed Binance USDT-M depth capture',
  fileName: 'BINANCE_FUTURES.http.0.0',
  format: 'cryptofeed',
  seed: Buffer.from(binance),
  mutation: captureMutation('BINANCE_FUTURES.http.0.0', binance),
});
