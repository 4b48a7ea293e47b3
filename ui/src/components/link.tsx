// An <a> that navigates inside the app without a reload (plain clicks only;
// Ctrl/Cmd-click still opens a new tab, since href is a real URL).

import type { ComponentChildren } from 'preact';
import { isPlainClick, navigate } from '../navigation.js';

export interface LinkProps {
  href: string;
  children?: ComponentChildren;
  class?: string | undefined;
  title?: string;
  'aria-label'?: string;
  'aria-current'?: 'page' | undefined;
  'data-testid'?: string;
  /** runs before navigating */
  onNavigate?: () => void;
}

export function Link({ href, children, onNavigate, ...rest }: LinkProps) {
  return (
    <a
      {...rest}
      href={href}
      onClick={(e) => {
        if (!isPlainClick(e)) return;
        e.preventDefault();
        onNavigate?.();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
