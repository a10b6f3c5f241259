/**
 * The product's `branding` option as a Cognito managed login style, so the upstream login
 * page a user passes through looks like the authorization server's own pages.
 *
 * The settings document follows the shape AWS documents for CreateManagedLoginBranding and
 * its CloudFormation resource (AWS::Cognito::ManagedLoginBranding: `Settings`, a JSON
 * document of `components` and `componentClasses` with `lightMode`/`darkMode` colours as
 * `rrggbbaa`; `Assets` of category, colour mode, extension and base64 bytes). Cognito keeps
 * its own value for every setting left out, so only what the option decides is written.
 *
 * What carries over: the accent colour (primary buttons, links, focus rings; the button text
 * black or white for contrast, as on our pages) and an inline SVG logo (the form logo). What
 * does not: a `logoUrl` (managed login takes image bytes, not links: use `logoSvgFile` to
 * brand both), the product name and the support link (managed login has no place for either).
 */
import type { CfnManagedLoginBrandingProps } from 'aws-cdk-lib/aws-cognito';
import { textColourOn } from '../../lambda/core/authorization-server/page-layout';
import type { BrandingConfig } from '../../lambda/core/config';

export type ManagedLoginStyle = Pick<CfnManagedLoginBrandingProps, 'useCognitoProvidedValues' | 'settings' | 'assets'>;

/** `#rrggbb` -> the opaque `rrggbbaa` managed login settings use. */
function opaque(colour: string): string {
  return `${colour.slice(1).toLowerCase()}ff`;
}

/** Cognito's defaults when the option sets nothing managed login can show; else a style with what it sets. */
export function managedLoginStyle(branding: BrandingConfig | undefined): ManagedLoginStyle {
  const accent = branding?.accentColor;
  const logoSvg = branding?.logoSvg;
  // "When you specify true for this option, you must also omit values for Settings and Assets."
  if (accent === undefined && logoSvg === undefined) return { useCognitoProvidedValues: true };

  const components: Record<string, unknown> = {};
  const componentClasses: Record<string, unknown> = {};
  if (accent !== undefined) {
    const button = { backgroundColor: opaque(accent), textColor: opaque(textColourOn(accent)) };
    components.primaryButton = { lightMode: { defaults: button, hover: button, active: button } };
    componentClasses.link = { lightMode: { defaults: { textColor: opaque(accent) }, hover: { textColor: opaque(accent) } } };
    componentClasses.focusState = { lightMode: { borderColor: opaque(accent) } };
  }
  if (logoSvg !== undefined) {
    components.form = { logo: { enabled: true, formInclusion: 'IN', location: 'CENTER', position: 'TOP' } };
  }
  return {
    useCognitoProvidedValues: false,
    settings: { components, componentClasses },
    assets: logoSvg === undefined
      ? undefined
      : [{ category: 'FORM_LOGO', colorMode: 'DYNAMIC', extension: 'SVG', bytes: Buffer.from(logoSvg, 'utf8').toString('base64') }],
  };
}
