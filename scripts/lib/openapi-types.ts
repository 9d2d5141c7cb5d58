// The TypeScript types of the bundled document, by openapi-typescript's transform.
//
// `openapiTS()` first lints and bundles its input again with a Redocly of its own (version 1, a
// second copy to load): the document here is already linted and bundled, so this calls the
// transform `openapiTS()` runs next, with the context it builds for these options (openapi-
// typescript 7.13.0, pinned; a change of its output shows as drift of the generated openapi.ts).
// The CommonJS build is loaded: through `import`, node would scan TypeScript's 9 MB of CommonJS
// for export names first (about 0.4 s).
import { createRequire } from 'node:module'
import type * as OpenapiTS from 'openapi-typescript'
import type { JsonObject } from './spec-files.js'

const require = createRequire(import.meta.url)

export function openapiTypes(doc: JsonObject): string {
  const transformSchema = require('openapi-typescript/dist/transform/index.cjs') as typeof OpenapiTS.transformSchema
  const { astToString } = require('openapi-typescript/dist/lib/ts.cjs') as Pick<typeof OpenapiTS, 'astToString'>
  const { resolveRef, scanDiscriminators } = require('openapi-typescript/dist/lib/utils.cjs') as Pick<
    typeof OpenapiTS,
    'resolveRef' | 'scanDiscriminators'
  >
  const schema = doc as unknown as OpenapiTS.OpenAPI3
  const options: OpenapiTS.OpenAPITSOptions = { alphabetize: false, defaultNonNullable: false }
  const ctx: OpenapiTS.GlobalContext = {
    additionalProperties: false,
    alphabetize: false,
    arrayLength: false,
    defaultNonNullable: false,
    discriminators: scanDiscriminators(schema, options),
    emptyObjectsUnknown: false,
    enum: false,
    enumValues: false,
    conditionalEnums: false,
    dedupeEnums: false,
    excludeDeprecated: false,
    exportType: false,
    immutable: false,
    rootTypes: false,
    rootTypesNoSchemaPrefix: false,
    rootTypesKeepCasing: false,
    injectFooter: [],
    pathParamsAsTypes: false,
    postTransform: undefined,
    propertiesRequiredByDefault: false,
    // Read only by `openapiTS()`'s own lint and bundle, which this skips.
    redoc: undefined as unknown as OpenapiTS.GlobalContext['redoc'],
    silent: false,
    inject: undefined,
    transform: undefined,
    transformProperty: undefined,
    makePathsEnum: false,
    generatePathParams: false,
    readWriteMarkers: false,
    resolve: ($ref) => resolveRef(schema, $ref, { silent: false }),
  }
  return astToString(transformSchema(schema, ctx))
}
