/**
 * The hub's header: title, description and a command bar with Refresh, in azure-devops-ui's header
 * markup and classes. Not azure-devops-ui's Header with `commandBarItems`: its HeaderCommandBar wraps the
 * items in a ResizeGroup that measures the page on mount (a forced style and layout of the whole first
 * render, 30–40 ms of it) to move items into a "…" menu when narrow; one important button never moves.
 * CustomHeaderCommandBar is the library's command bar for items rendered directly.
 */
import * as React from 'react';
// Header first, as azure-devops-ui's Header imports them: its stylesheets keep their order in the bundle
// (Button's `.bolt-button` margin comes after HeaderCommandBar's `.bolt-header-command-item-button` one).
import {
  CustomHeader,
  HeaderDescription,
  HeaderTitle,
  HeaderTitleArea,
  HeaderTitleRow,
  TitleSize,
} from 'azure-devops-ui/Header';
import { CustomHeaderCommandBar } from 'azure-devops-ui/HeaderCommandBar';
import { Button } from 'azure-devops-ui/Button';

export function HubHeader(props: { onRefresh(): void }): JSX.Element {
  return (
    <CustomHeader className="bolt-header-with-commandbar">
      <div className="bolt-header-content-area flex-row flex-grow flex-self-stretch">
        <HeaderTitleArea>
          <HeaderTitleRow>
            <HeaderTitle titleSize={TitleSize.Large}>Promotions</HeaderTitle>
          </HeaderTitleRow>
          <HeaderDescription>Which version is where, who approved it, and what each promotion did.</HeaderDescription>
        </HeaderTitleArea>
        <CustomHeaderCommandBar className="flex-self-start" role="menubar">
          <div className="flex-self-start bolt-header-commandbar-button-group flex-row flex-center flex-grow scroll-hidden rhythm-horizontal-8">
            <Button
              className="bolt-header-command-item-button"
              id="refresh"
              role="menuitem"
              text="Refresh"
              iconProps={{ iconName: 'Refresh' }}
              ariaLabel="Refresh promotion records"
              ariaRoleDescription="button"
              onClick={() => props.onRefresh()}
            />
            {/* Where HeaderCommandBar puts its (empty) overflow button: the same spacing. */}
            <div className="overflow-button-empty-div" />
          </div>
        </CustomHeaderCommandBar>
      </div>
    </CustomHeader>
  );
}
