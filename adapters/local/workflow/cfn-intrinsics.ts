import { DEFAULT_LOCAL_ACCOUNT, localAttribute, localRef, ruleFor } from './cfn-resource-values';
import type { LocalAccount } from './cfn-resource-values';

/** The parts of a synthesized CloudFormation template the renderer reads. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/**
 * Values the caller knows better than the fake account, by logical id: `Ref` and any `Fn::GetAtt`
 * attribute. A name-like `Ref` (a table) also names the ARNs derived from it.
 */
export type ResourceOverrides = Record<string, { readonly Ref?: string; readonly [attribute: string]: string | undefined }>;

export interface ResolveOptions {
  readonly overrides?: ResourceOverrides;
  readonly account?: Partial<LocalAccount>;
  /** `AWS::StackName`. @default 'local' */
  readonly stackName?: string;
}

/** Where a resolved value came from, so a Task's resource can be traced back to its construct. */
export interface ResolvedReference {
  readonly logicalId: string;
  readonly type: string;
  /** `Ref` or the `Fn::GetAtt` attribute name. */
  readonly attribute: string;
}

export class TemplateResolutionError extends Error {
  override readonly name = 'TemplateResolutionError';
}

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves CloudFormation intrinsic functions to concrete local values. Every resource value it hands out
 * is recorded in `references` (value -> logical id).
 */
export class IntrinsicResolver {
  readonly references = new Map<string, ResolvedReference>();
  private readonly account: LocalAccount;
  private readonly resolvingNames = new Set<string>();

  constructor(
    private readonly template: CfnTemplate,
    private readonly options: ResolveOptions = {},
  ) {
    this.account = { ...DEFAULT_LOCAL_ACCOUNT, ...options.account };
  }

  resolve(value: unknown): unknown {
    const resolved = this.resolveAny(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  resolveString(value: unknown, where: string): string {
    const resolved = this.resolve(value);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new TemplateResolutionError(`${where} did not resolve to a string: ${JSON.stringify(resolved)}`);
  }

  private resolveAny(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolveAny(item)).filter((item) => item !== NO_VALUE);
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    const [first] = entries;
    if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      return this.intrinsic(first[0], first[1]);
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = this.resolveAny(item);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private intrinsic(fn: string, arg: unknown): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(this.resolveString(arg, 'Ref'));
      case 'Fn::GetAtt': {
        const parts = typeof arg === 'string' ? splitOnce(arg, '.') : this.list(arg, fn).map((p) => this.str(p, fn));
        const [logicalId, attribute] = parts;
        if (!logicalId || !attribute) throw new TemplateResolutionError(`Bad Fn::GetAtt: ${JSON.stringify(arg)}`);
        return this.getAtt(logicalId, attribute);
      }
      case 'Fn::Join': {
        const [delimiter, items] = this.list(arg, fn);
        return this.list(items, fn).map((item) => this.str(item, fn)).join(this.str(delimiter, fn));
      }
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::Select': {
        const [index, items] = this.list(arg, fn);
        const picked = this.list(items, fn)[Number(this.resolve(index))];
        if (picked === undefined) throw new TemplateResolutionError(`Fn::Select index out of range: ${JSON.stringify(arg)}`);
        return picked;
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.list(arg, fn);
        return this.str(source, fn).split(this.str(delimiter, fn));
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = this.list(arg, fn).map((p) => this.str(p, fn));
        const found = this.template.Mappings?.[map ?? '']?.[top ?? '']?.[second ?? ''];
        if (found === undefined) throw new TemplateResolutionError(`Fn::FindInMap found nothing: ${JSON.stringify(arg)}`);
        return this.resolveAny(found);
      }
      case 'Fn::Base64':
        return Buffer.from(this.str(arg, fn)).toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${this.account.region}${zone}`);
      case 'Fn::ImportValue':
        // Another stack's export does not exist locally: its name is the most stable stand-in.
        return this.str(arg, fn);
      default:
        throw new TemplateResolutionError(`Unsupported intrinsic function ${fn}: ${JSON.stringify(arg)}`);
    }
  }

  private ref(name: string): unknown {
    switch (name) {
      case 'AWS::Partition':
        return this.account.partition;
      case 'AWS::Region':
        return this.account.region;
      case 'AWS::AccountId':
        return this.account.accountId;
      case 'AWS::URLSuffix':
        return this.account.urlSuffix;
      case 'AWS::StackName':
        return this.options.stackName ?? 'local';
      case 'AWS::StackId':
        return `arn:${this.account.partition}:cloudformation:${this.account.region}:${this.account.accountId}:stack/${this.options.stackName ?? 'local'}/local`;
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    const override = this.options.overrides?.[name]?.Ref;
    const parameter = this.template.Parameters?.[name];
    if (parameter) return override ?? this.resolveAny(parameter.Default) ?? name;
    const resource = this.resource(name);
    const value = override ?? localRef(resource.Type, this.physicalName(name), this.account);
    this.references.set(value, { logicalId: name, type: resource.Type, attribute: 'Ref' });
    return value;
  }

  private getAtt(logicalId: string, attribute: string): string {
    const resource = this.resource(logicalId);
    const value =
      this.options.overrides?.[logicalId]?.[attribute] ??
      localAttribute(resource.Type, this.physicalName(logicalId), attribute, this.account);
    this.references.set(value, { logicalId, type: resource.Type, attribute });
    return value;
  }

  /** The explicit name property, an overridden name-like `Ref`, or the logical id. */
  private physicalName(logicalId: string): string {
    const resource = this.resource(logicalId);
    const rule = ruleFor(resource.Type);
    const overriddenRef = this.options.overrides?.[logicalId]?.Ref;
    if (overriddenRef !== undefined && rule.ref === 'name') return overriddenRef;
    const explicit = rule.nameProperty ? resource.Properties?.[rule.nameProperty] : undefined;
    if (explicit === undefined || this.resolvingNames.has(logicalId)) return logicalId;
    this.resolvingNames.add(logicalId);
    try {
      return this.resolveString(explicit, `${logicalId}.${rule.nameProperty}`);
    } finally {
      this.resolvingNames.delete(logicalId);
    }
  }

  private sub(arg: unknown): string {
    const [source, variables] = typeof arg === 'string' ? [arg, {}] : this.list(arg, 'Fn::Sub');
    const bound = (this.resolve(variables) ?? {}) as Record<string, unknown>;
    return this.str(source, 'Fn::Sub').replace(/\$\{([^}]*)\}/g, (_match, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in bound) return this.str(bound[name], 'Fn::Sub');
      if (name.includes('.') && !name.startsWith('AWS::')) {
        const [logicalId = '', attribute = ''] = splitOnce(name, '.');
        return this.getAtt(logicalId, attribute);
      }
      return this.str(this.ref(name), 'Fn::Sub');
    });
  }

  private resource(logicalId: string): CfnResource {
    const resource = this.template.Resources?.[logicalId];
    if (!resource) throw new TemplateResolutionError(`No resource or parameter named ${logicalId} in the template`);
    return resource;
  }

  private list(value: unknown, fn: string): unknown[] {
    const resolved = this.resolve(value);
    if (!Array.isArray(resolved)) throw new TemplateResolutionError(`${fn} expects a list: ${JSON.stringify(value)}`);
    return resolved;
  }

  private str(value: unknown, fn: string): string {
    return this.resolveString(value, fn);
  }
}

function splitOnce(text: string, separator: string): string[] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}
