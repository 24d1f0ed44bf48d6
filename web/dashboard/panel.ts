/** What every dashboard panel is: a title, a query and a drawing. */

export interface DashboardParams {
  /** 年度 of the figures and grades */
  year: number;
  /** 查询日期 of the award summary (YYYY-MM-DD) */
  asOf: string;
}

export interface Panel {
  id: string;
  title: string;
  /**
   * true when the panel shows one year's figures: for a year without data (not evaluated) the page
   * shows its no-data state instead of asking for figures of nothing
   */
  yearly: boolean;
  /** the line under the title: units and the date or year shown */
  subtitle(params: DashboardParams): string;
  /** Fetches and draws into `body`; returns how many items (towns, enterprises, …) it shows. */
  render(body: HTMLElement, params: DashboardParams): Promise<number>;
}
