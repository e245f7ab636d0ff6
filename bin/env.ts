// Imported first by the entry points, before any AWS SDK module loads: Node 20 is this project's runtime
// (see package.json engines), so the SDK's notice about Node 22 would only be noise for every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
