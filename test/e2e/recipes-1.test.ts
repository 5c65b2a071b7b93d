/** The recipes of README.md and docs/, run as written: part 1 of 3 (see test/helpers/recipe-suite.ts). */
import { recipeSuite } from '../helpers/recipe-suite.js';

recipeSuite(1, 3);
