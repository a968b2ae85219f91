// Lane branches for issues read like the issue (`lanes/12-fix-login-redirect`), so that a reviewer
// knows a pull request's branch at a glance; titles are free text, so the slug keeps only what is
// safe in any git ref, path and shell: lower-case ASCII letters, digits and single dashes.

/** The longest slug; the branch stays readable in `git branch` and GitHub's branch picker. */
export const MAX_SLUG_LENGTH = 40;

export function slugify(title: string, maxLength = MAX_SLUG_LENGTH): string {
  const ascii = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // accents split off by NFKD: é -> e
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (ascii.length <= maxLength) return ascii;
  const cut = ascii.slice(0, maxLength);
  // End on a whole word where one ends reasonably late; else cut the word.
  const lastDash = cut.lastIndexOf("-");
  const bounded = lastDash >= maxLength / 2 ? cut.slice(0, lastDash) : cut;
  return bounded.replace(/-+$/, "");
}

/** `lanes/<number>-<slug>`, or `lanes/<number>` for a title with nothing ASCII in it. */
export function issueBranchName(number: number, title: string): string {
  const slug = slugify(title);
  return slug === "" ? `lanes/${number}` : `lanes/${number}-${slug}`;
}
