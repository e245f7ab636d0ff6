import './env';
import { main } from '../cli/main';

process.exitCode = await main(process.argv);
