import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini ships no messages: without a locale every issue reads "Invalid input", and a request's or a
// failed step's error would no longer say what was wrong. English, as classic zod sets it, unless a locale
// is set already. Imported for this effect by every module that parses with zod/mini.
if (!z.config().localeError) z.config(en());
