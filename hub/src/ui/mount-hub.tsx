/** The hub's UI (React, azure-devops-ui), loaded by the boot script while the first data load runs. */
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import type { HubContext } from '../ado/hub-context';
import type { LoadHandle } from '../data/preload';
import { HubApp } from './hub-app';

export function mountHub(root: HTMLElement, ctx: HubContext, first: LoadHandle): void {
  ReactDOM.render(<HubApp ctx={ctx} first={first} />, root);
}
