"""English for the login, password-change pages and the header's user menu."""

EN = {
    "用户菜单": "User menu",
    "当前用户": "Signed-in user",
    "修改密码": "Change password",
    "密码未修改，请按下方提示更正。": "The password was not changed; correct what is marked below.",
    "取消": "Cancel",
    "密码已修改": "Password changed",
    "新密码已生效，下次登录请使用新密码。": "Your new password is in force; use it the next time you log in.",
    "返回首页": "Back to the start page",
}
