import { defineMessages } from "../define";

export default defineMessages({
  vi: {},
  en: {},
});
