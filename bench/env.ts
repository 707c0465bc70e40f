/**
 * Imported first by the bench entry: the SDK prints a Node.js 20 support notice when a client is
 * built, which would interleave with the progress lines and the table. Lambda runs Node.js 22.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export {};
