import { Template } from 'aws-cdk-lib/assertions';
import { managedLoginStyle } from '../../lib/constructs/managed-login-branding';
import { deploymentFor, exampleProductConfig, synthesizeApp } from './synthesize-app';

const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#123456"/></svg>';

function brandingResource(product: any): any {
  const { authorizationServer } = synthesizeApp(deploymentFor({ product }), { bundle: false });
  const resources = Template.fromStack(authorizationServer).findResources('AWS::Cognito::ManagedLoginBranding');
  expect(Object.keys(resources)).toHaveLength(1);
  return Object.values(resources)[0]!.Properties;
}

describe('Cognito managed login carries the branding option', () => {
  it("keeps Cognito's own style when the option sets nothing managed login can show", () => {
    expect(managedLoginStyle(undefined)).toEqual({ useCognitoProvidedValues: true });
    expect(managedLoginStyle({ productName: 'Acme', supportUrl: 'https://help.acme.example/' })).toEqual({ useCognitoProvidedValues: true });
    const properties = brandingResource(exampleProductConfig());
    expect(properties.UseCognitoProvidedValues).toBe(true);
    expect(properties.Settings).toBeUndefined();
    expect(properties.Assets).toBeUndefined();
  });

  it('paints primary buttons, links and focus rings in the accent, with the text colour our pages pick for contrast', () => {
    const dark = managedLoginStyle({ accentColor: '#123456' });
    expect(dark.useCognitoProvidedValues).toBe(false);
    expect(dark.assets).toBeUndefined();
    const settings = dark.settings as any;
    expect(settings.components.primaryButton.lightMode.defaults).toEqual({ backgroundColor: '123456ff', textColor: 'ffffffff' });
    expect(settings.componentClasses.link.lightMode.defaults.textColor).toBe('123456ff');
    expect(settings.componentClasses.focusState.lightMode.borderColor).toBe('123456ff');
    const light = managedLoginStyle({ accentColor: '#ffdd55' }).settings as any;
    expect(light.components.primaryButton.lightMode.defaults.textColor).toBe('000000ff');
  });

  it('shows an inline SVG logo on the form, as the base64 bytes managed login takes', () => {
    const properties = brandingResource({ ...exampleProductConfig(), branding: { accentColor: '#0a7f5a', logoSvg: LOGO } });
    expect(properties.UseCognitoProvidedValues).toBe(false);
    expect(properties.Assets).toEqual([{ Category: 'FORM_LOGO', ColorMode: 'DYNAMIC', Extension: 'SVG', Bytes: Buffer.from(LOGO).toString('base64') }]);
    expect(properties.Settings.components.form.logo).toEqual({ enabled: true, formInclusion: 'IN', location: 'CENTER', position: 'TOP' });
    expect(properties.Settings.components.primaryButton.lightMode.hover.backgroundColor).toBe('0a7f5aff');
  });
});
