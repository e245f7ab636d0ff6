/** What every renderer needs besides the API's answer; passing `now` keeps renderers pure. */
export interface RenderOptions {
  readonly now: Date;
  readonly color?: boolean;
  /** IANA zone for clock times; the machine's when absent. */
  readonly timeZone?: string;
}
