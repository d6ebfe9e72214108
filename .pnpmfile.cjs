// pnpm hooks (https://pnpm.io/pnpmfile). Read by pnpm only; nothing here changes what gets installed.
module.exports = {
  hooks: {
    // `pnpm pack` / `pnpm publish` of this workspace's packages: the published package.json keeps no
    // scripts (they run the workspace's build and tsx, neither of which ships) and no devDependencies.
    // The package.json on disk is not touched.
    beforePacking(pkg) {
      if (pkg.name?.startsWith("@effect-threatstack/")) {
        delete pkg.scripts
        delete pkg.devDependencies
      }
      return pkg
    }
  }
}
